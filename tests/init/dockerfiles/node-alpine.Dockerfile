FROM node:20-alpine AS deps
RUN apk add --no-cache libc6-compat python3 make g++
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci

FROM node:20-alpine
RUN apk add --no-cache tini curl && \
    addgroup -S app && adduser -S app -G app
WORKDIR /app
ENV NODE_ENV=production PORT=3000
COPY --from=deps /app/node_modules ./node_modules
COPY . .
USER app
EXPOSE 3000/tcp
ENTRYPOINT ["/sbin/tini", "--"]
CMD ["node", "server.js"]
