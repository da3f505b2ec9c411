FROM --platform=$BUILDPLATFORM golang:1.26.8-alpine AS base
ARG TARGETOS TARGETARCH TARGETVARIANT
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download

# Build arguments carry into stages built on this one.
FROM base AS build
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH GOARM=${TARGETVARIANT#v} go build -o /src/bin/app .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /src/bin/app /usr/local/bin/app
ENTRYPOINT ["/usr/local/bin/app"]
