// A tiny orders service: GET /health answers ok, GET /orders lists nothing yet.
const http = require("http");
const port = Number(process.env.PORT || 3000);
http
  .createServer((req, res) => {
    if (req.url === "/health") return res.end("ok\n");
    res.setHeader("Content-Type", "application/json");
    res.end(JSON.stringify({ orders: [] }) + "\n");
  })
  .listen(port, () => console.log(`orders listening on ${port}`));
