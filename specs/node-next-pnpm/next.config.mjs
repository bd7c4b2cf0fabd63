/** @type {import('next').NextConfig} */
const nextConfig = {
  // a self-contained server (.next/standalone/server.js) with only the modules it needs
  output: "standalone",
  // the same build ID on every build, so two builds of one commit give the same files
  // (Next.js picks a random one otherwise; the BuildKit tier compares the images file by file)
  generateBuildId: async () => "dockgen-example",
};

export default nextConfig;
