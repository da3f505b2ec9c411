# syntax=docker/dockerfile:1

# Written by goport dockerfile init for ./cmd/app (go 1.26.8, cgo on, distroless final image).
# Build for several platforms with:
#   docker buildx build --platform linux/amd64,linux/arm64,linux/arm/v7 -t app .
# The build stage runs natively on $BUILDPLATFORM and cross-compiles for $TARGETPLATFORM.

FROM --platform=$BUILDPLATFORM tonistiigi/xx:1.6.1 AS xx

FROM --platform=$BUILDPLATFORM golang:1.26.8-bookworm AS build
COPY --from=xx / /
RUN apt-get update && apt-get install -y --no-install-recommends clang lld
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
ARG TARGETPLATFORM
RUN xx-apt-get install -y --no-install-recommends gcc libc6-dev
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=1 xx-go build -trimpath -o /out/app ./cmd/app && \
    xx-verify /out/app

FROM gcr.io/distroless/base-debian12:nonroot
COPY --from=build /out/app /usr/local/bin/app
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/app"]
