# Builds one of the project's commands into a minimal, non-root image.
#
#   docker build --build-arg BINARY=idempotency-proxy -t idempotency-proxy:dev .
#
# BINARY names a directory under cmd/. Whatever the command, the binary is
# installed as /app, so that one ENTRYPOINT serves them all.

FROM golang:1.26 AS builder
ARG TARGETOS
ARG TARGETARCH
ARG BINARY=idempotency-proxy

WORKDIR /workspace

# Download modules in their own layer, so that a source change does not
# fetch them again.
COPY go.mod go.sum ./
RUN go mod download

COPY . .

# A static binary: the final image has no C library.
RUN CGO_ENABLED=0 GOOS=${TARGETOS:-linux} GOARCH=${TARGETARCH} \
    go build -trimpath -ldflags="-s -w" -o /out/app ./cmd/${BINARY}

# distroless/static has CA certificates and time zone data, and nothing
# else: no shell and no package manager.
FROM gcr.io/distroless/static:nonroot
WORKDIR /
COPY --from=builder /out/app /app
USER 65532:65532

ENTRYPOINT ["/app"]
