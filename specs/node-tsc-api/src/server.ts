// A small JSON API: GET /, GET /health, GET /items, POST /items (kept in memory).
import { createServer, IncomingMessage, ServerResponse } from "node:http";

interface Item {
  id: number;
  name: string;
}

const items: Item[] = [{ id: 1, name: "first" }];
const port = Number(process.env.PORT ?? 3000);

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = "";
    req.on("data", (chunk: Buffer) => (data += chunk.toString()));
    req.on("end", () => resolve(data));
    req.on("error", reject);
  });
}

const server = createServer(async (req, res) => {
  if (req.method === "GET" && req.url === "/health") {
    return send(res, 200, { status: "ok" });
  }
  if (req.method === "GET" && req.url === "/") {
    return send(res, 200, { app: "tsc-api", endpoints: ["/health", "/items"] });
  }
  if (req.url === "/items" && req.method === "GET") {
    return send(res, 200, items);
  }
  if (req.url === "/items" && req.method === "POST") {
    const { name } = JSON.parse((await readBody(req)) || "{}") as { name?: string };
    if (!name) return send(res, 400, { error: "name is required" });
    const item = { id: items.length + 1, name };
    items.push(item);
    return send(res, 201, item);
  }
  send(res, 404, { error: "not found" });
});

server.listen(port, () => console.log(`tsc-api listening on ${port}`));

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
