"use strict";
// An Express API: GET / and GET /health; stops at once on SIGTERM (R11).
const express = require("express");

const app = express();
app.disable("x-powered-by");

app.get("/", (req, res) => res.json({ app: "express-yarn", hello: "world" }));
app.get("/health", (req, res) => res.json({ status: "ok" }));

const port = Number(process.env.PORT || 3000);
const server = app.listen(port, "0.0.0.0", () => console.log(`listening on ${port}`));

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
