FROM debian:bookworm
RUN echo bom
