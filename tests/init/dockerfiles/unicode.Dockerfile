FROM debian:bookworm
LABEL description="Ümlaut — and emoji 🐳" author=José
ENV GREETING=¡hola! PATHX=/opt/ñ
RUN echo "naïve" && apt-get install -y locales
