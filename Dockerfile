# Builds the operator's images, each a single static binary in a minimal,
# non-root image:
#
#   docker build --target manager -t controller:latest .
#   docker build --target idempotency-proxy -t idempotency-proxy:latest .
#
# The stages are named after the commands under cmd/: manager (the
# controller and the injection webhook), idempotency-proxy (the sidecar)
# and sample-app (the application the end-to-end tests protect). Without
# --target, the build argument BINARY picks one of them (default manager):
#
#   docker build --build-arg BINARY=idempotency-proxy -t idempotency-proxy:latest .
#
# VERSION is compiled into the binary as main.version; the proxy reports it
# on its admin endpoint /config.
#
#   docker build --target manager --build-arg VERSION=v0.1.0 -t ...

ARG BINARY=manager

FROM golang:1.26 AS builder
ARG TARGETOS
ARG TARGETARCH

WORKDIR /workspace

# Download modules in their own layer, so that a source change does not
# fetch them again.
COPY go.mod go.sum ./
RUN go mod download

COPY . .

# Static binaries (the final image has no C library) without local paths
# or symbol tables. GOARCH follows the platform being built for, so
# `docker buildx build --platform linux/arm64` cross-compiles natively.
ENV CGO_ENABLED=0 \
    GOOS=${TARGETOS:-linux} \
    GOARCH=${TARGETARCH}

# One build stage per command: BuildKit builds only the stages the chosen
# target needs.
FROM builder AS build-manager
ARG VERSION=dev
RUN go build -trimpath -ldflags="-s -w -X main.version=${VERSION}" \
    -o /out/manager ./cmd/manager

FROM builder AS build-idempotency-proxy
ARG VERSION=dev
RUN go build -trimpath -ldflags="-s -w -X main.version=${VERSION}" \
    -o /out/idempotency-proxy ./cmd/idempotency-proxy

FROM builder AS build-sample-app
ARG VERSION=dev
RUN go build -trimpath -ldflags="-s -w -X main.version=${VERSION}" \
    -o /out/sample-app ./cmd/sample-app

# distroless/static has CA certificates and time zone data, and nothing
# else: no shell and no package manager. It runs as UID 65532, which
# satisfies runAsNonRoot.
FROM gcr.io/distroless/static:nonroot AS runtime
WORKDIR /
USER 65532:65532

FROM runtime AS manager
COPY --from=build-manager /out/manager /manager
ENTRYPOINT ["/manager"]

FROM runtime AS idempotency-proxy
COPY --from=build-idempotency-proxy /out/idempotency-proxy /idempotency-proxy
ENTRYPOINT ["/idempotency-proxy"]

FROM runtime AS sample-app
COPY --from=build-sample-app /out/sample-app /sample-app
ENTRYPOINT ["/sample-app"]

# The default target: the image BINARY names.
FROM ${BINARY}
