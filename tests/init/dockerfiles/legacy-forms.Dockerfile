FROM ubuntu:20.04
MAINTAINER Someone <someone@example.org>
ENV LANG C.UTF-8
ENV LC_ALL=C.UTF-8 LANGUAGE=C.UTF-8
ARG BUILD_DATE
ARG VERSION=1.0.0
LABEL build-date=$BUILD_DATE version=$VERSION
RUN apt-get update && apt-get install -y software-properties-common && \
    add-apt-repository -y ppa:deadsnakes/ppa && \
    apt-get update && apt-get install -y python3.11 python3.11-venv
RUN ["apt-get", "install", "-y", "vim-tiny"]
ADD https://example.org/archive.tar.gz /opt/
ONBUILD RUN echo building child
ONBUILD COPY . /src
STOPSIGNAL SIGTERM
EXPOSE 80 443 8080-8090
USER nobody
