FROM debian:bookworm-slim

# A comment between instructions
RUN set -e; \
    # comment inside a continuation
    apt-get update; \

    apt-get install -y --no-install-recommends \
        ca-certificates\
        curl   \
        "git" 'less'; \
    echo trailing backslash-space \  
    && true
RUN echo "escaped at end \\"
RUN echo a \\\
    b
ENV A="multi \
word" B=plain\ value C='single quoted'
WORKDIR relative/dir
WORKDIR sub
LABEL "quoted key"="quoted value" other=x
   run   echo lowercase and indented
from debian:bookworm-slim as second
expose 53/udp
