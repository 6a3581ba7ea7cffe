FROM --platform=$BUILDPLATFORM debian:bookworm AS b
COPY --chown="user name":group --chmod=0755 ["src dir/", "/dst dir/"]
RUN --network=none --security=sandbox echo hi
ADD --checksum=sha256:0000000000000000000000000000000000000000000000000000000000000000 https://example.org/x /x
COPY --link --exclude=*.tmp . /app
RUN -- --not-a-flag
CMD [ "a" , "b c" ]
ENTRYPOINT [ "x" ]  
RUN ["bad json",]
VOLUME /a /b
VOLUME ["/c"]
