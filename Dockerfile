# Warden: one static binary (CGO_ENABLED=0, pure Go), run as a non-root user
# on a distroless base with nothing else in it.
#
#   docker build -t warden .
#   docker run -p 8080:8080 -v warden-data:/data warden serve --demo --listen 0.0.0.0:8080 --data-dir /data
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/warden ./cmd/warden

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/warden /usr/local/bin/warden
# Each replica's data directory: the SQLite store on one machine, or with
# PostgreSQL (store.url) only this replica's alert spool.
WORKDIR /data
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/warden"]
CMD ["serve", "--config", "/etc/warden/warden.yaml"]
