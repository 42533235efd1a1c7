// The theme toggle: light, dark, or the system's; remembered in a cookie
// so that the server renders the right one (no flash on load).
const root = document.documentElement;
function toggle() {
  const dark = root.dataset.theme ? root.dataset.theme === "dark" : matchMedia("(prefers-color-scheme: dark)").matches;
  const next = dark ? "light" : "dark";
  root.dataset.theme = next;
  document.cookie = "podplay-theme=" + next + "; path=/; max-age=31536000; samesite=lax";
}
addEventListener("click", (e) => {
  if (e.target.closest("[data-theme-toggle]")) toggle();
});
