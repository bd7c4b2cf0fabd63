/** @type {import('next').NextConfig} */
const nextConfig = {
  // a self-contained server (.next/standalone/server.js) with only the modules it needs
  output: "standalone",
};

export default nextConfig;
