FROM --platform=$BUILDPLATFORM golang:1.26.8-alpine AS build
RUN apk add --no-cache make
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
# A Makefile hides go build, but the empty platform arguments still show.
# want: GP-DOCKER-002 GP-DOCKER-002 GP-DOCKER-002
RUN make bin/app GOOS=${TARGETOS:-linux} GOARCH=${TARGETARCH} GOARM=${TARGETVARIANT#v}

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /src/bin/app /usr/local/bin/app
ENTRYPOINT ["/usr/local/bin/app"]
