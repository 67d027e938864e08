package stores

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	goredis "github.com/redis/go-redis/v9"
)

// LogRedisTo sends the Redis client's own log lines (failed dials, pool
// events) to log, so that every line the proxy writes is structured.
func LogRedisTo(log *slog.Logger) {
	goredis.SetLogger(redisLogger{log: log})
}

type redisLogger struct{ log *slog.Logger }

func (l redisLogger) Printf(ctx context.Context, format string, v ...any) {
	l.log.WarnContext(ctx, "Redis client", "message", strings.TrimSpace(fmt.Sprintf(format, v...)))
}
