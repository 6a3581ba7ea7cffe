FROM nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04

LABEL maintainer="Research Computing <rc@example.org>" \
      org.opencontainers.image.title="lab-env" \
      org.opencontainers.image.version="2024.06"

ENV DEBIAN_FRONTEND=noninteractive
ENV TZ Etc/UTC
ENV CONDA_DIR=/opt/conda PATH=/opt/conda/bin:$PATH

RUN apt-get update -qq && \
    apt-get install -y -qq --no-install-recommends \
        git wget ca-certificates \
        # compilers for extensions
        build-essential cmake \
        libopenmpi-dev openmpi-bin \
        python3-dev python3-pip && \
    apt-get clean && \
    rm -rf /var/lib/apt/lists/*

RUN pip3 install --no-cache-dir torch==2.3.1 numpy==1.26.4 mpi4py
WORKDIR /workspace
VOLUME ["/data"]
CMD bash
