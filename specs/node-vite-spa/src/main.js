// A tiny client-side router: every path is handled here, so deep links need index.html.
const routes = { "/": "Home", "/about": "About" };

function render() {
  const page = routes[location.pathname] ?? "Not found";
  document.querySelector("#app").textContent = `vite-spa: ${page}`;
}

window.addEventListener("popstate", render);
render();
