# syntax=docker/dockerfile:1

# Written by goport dockerfile init for ./cmd/app (go 1.26.8, cgo on, static final image).
# Build for several platforms with:
#   docker buildx build --platform linux/amd64,linux/arm64,linux/arm/v7 -t app .
# The build stage runs natively on $BUILDPLATFORM and cross-compiles for $TARGETPLATFORM.

FROM --platform=$BUILDPLATFORM tonistiigi/xx:1.6.1 AS xx

FROM --platform=$BUILDPLATFORM golang:1.26.8-alpine AS build
COPY --from=xx / /
RUN apk add --no-cache clang lld
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
ARG TARGETPLATFORM
RUN xx-apk add --no-cache gcc musl-dev
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=1 xx-go build -trimpath -ldflags="-linkmode=external -extldflags=-static" -o /out/app ./cmd/app && \
    xx-verify --static /out/app

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/app /usr/local/bin/app
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/app"]
