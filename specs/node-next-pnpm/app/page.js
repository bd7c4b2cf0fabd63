export default function Home() {
  return (
    <main>
      <h1>next-pnpm</h1>
      <p>A Next.js app installed with pnpm and served by its standalone server.</p>
    </main>
  );
}
