ARG BASE_IMAGE=debian
ARG BASE_TAG=bookworm
FROM ${BASE_IMAGE}:${BASE_TAG} AS one
ARG BASE_TAG
ENV SUITE=$BASE_TAG
RUN apt-get install -y tree
FROM one AS two
ENV EXTRA=${SUITE:-none}-x OTHER=${UNSET:-fallback}
RUN apt install -y htop $EXTRA_PKGS
FROM 1
WORKDIR /opt
