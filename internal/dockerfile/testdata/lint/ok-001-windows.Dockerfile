# escape=`
# check=skip=WorkdirRelativePath
# Windows containers run only on Windows hosts of the same architecture:
# no emulation, no cross-compiling, no Linux cache paths.
FROM golang:1.26.8-windowsservercore-ltsc2022 AS build
WORKDIR C:\src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -o C:\out\app.exe .

FROM mcr.microsoft.com/windows/nanoserver:ltsc2022
COPY --from=build C:\out\app.exe C:\app\app.exe
USER ContainerUser
ENTRYPOINT ["C:\\app\\app.exe"]
