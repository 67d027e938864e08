// Package reload keeps the proxy's configuration in step with the files
// it was started with. It polls the files, and when their content changes
// it loads them again; an invalid edit keeps the last good configuration
// active and is reported in the log and in the status the admin endpoint
// serves.
//
// Polling, rather than file-system notifications, is deliberate: the
// kubelet updates mounted ConfigMaps by swapping symlinks, which
// notification APIs report unevenly, while reading a few small files once
// a second costs nothing measurable.
package reload
