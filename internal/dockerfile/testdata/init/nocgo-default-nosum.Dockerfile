# syntax=docker/dockerfile:1

# Written by goport dockerfile init for . (go 1.22, cgo off, static final image).
# Build for several platforms with:
#   docker buildx build --platform linux/amd64,linux/arm64,linux/arm/v7 -t tool .
# The build stage runs natively on $BUILDPLATFORM and cross-compiles for $TARGETPLATFORM.

FROM --platform=$BUILDPLATFORM golang:1.22-bookworm AS build
WORKDIR /src
COPY go.mod ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY . .
ARG TARGETOS TARGETARCH TARGETVARIANT
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH GOARM=${TARGETVARIANT#v} \
    go build -trimpath -o /out/tool .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/tool /usr/local/bin/tool
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/tool"]
