FROM jupyter/scipy-notebook:2023-10-20
USER root
RUN apt-get update --yes && \
    apt-get install --yes --no-install-recommends \
    graphviz \
    texlive-xetex=2022.20230122-3 && \
    apt-get clean && rm -rf /var/lib/apt/lists/*
USER ${NB_UID}
RUN mamba install --yes 'xarray' 'netcdf4' && mamba clean --all -f -y
ENV JUPYTER_ENABLE_LAB=yes
EXPOSE 8888
