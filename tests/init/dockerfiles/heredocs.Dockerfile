# syntax=docker/dockerfile:1.4
FROM debian:bookworm
RUN <<EOF
set -eux
apt-get update
apt-get install -y --no-install-recommends jq ripgrep
rm -rf /var/lib/apt/lists/*
EOF
RUN <<-'SCRIPT' bash
	echo "literal $HOME"
	echo done
	SCRIPT
COPY <<CONF /etc/app.conf
listen = 0.0.0.0:9000
user = ${USER}
CONF
COPY <<A <<"B" /opt/
first
A
second
B
RUN python3 - <<PY
print("hi")
PY
ENV GREETING="hello world" EMPTY=""
EXPOSE 9000
