# podplay: one static-ish binary (cgo for SQLite) on a small glibc base.
# Build: docker build -t podplay .   Run: docker run -p 8080:8080 -v podplay-data:/data podplay
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath -ldflags="-s -w" -o /out/podplay . \
 && mkdir -p /out/data

# distroless/base has glibc (which the cgo SQLite build links) and a
# nonroot user, and nothing else.
FROM gcr.io/distroless/base-debian12:nonroot
COPY --from=build /out/podplay /podplay
COPY --from=build --chown=nonroot:nonroot /out/data /data
USER nonroot:nonroot
ENV PODPLAY_ADDR=0.0.0.0:8080 PODPLAY_DB=/data/podplay.db
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s CMD ["/podplay", "healthcheck"]
ENTRYPOINT ["/podplay"]
