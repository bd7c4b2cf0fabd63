// Client-side routes (react-router): nginx must answer a deep link such as /users/42 with
// index.html, and this router then renders the page.
import React from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter, Link, Route, Routes, useParams } from "react-router-dom";

function User() {
  const { id } = useParams();
  return <p>vite-spa: user {id}</p>;
}

function App() {
  return (
    <BrowserRouter>
      <nav>
        <Link to="/">Home</Link> <Link to="/about">About</Link> <Link to="/users/42">A user</Link>
      </nav>
      <Routes>
        <Route path="/" element={<p>vite-spa: Home</p>} />
        <Route path="/about" element={<p>vite-spa: About</p>} />
        <Route path="/users/:id" element={<User />} />
        <Route path="*" element={<p>vite-spa: Not found</p>} />
      </Routes>
    </BrowserRouter>
  );
}

createRoot(document.getElementById("root")).render(
  <React.StrictMode>
    <App />
  </React.StrictMode>,
);
