// Small DOM helpers. Data never goes through innerHTML: text is set with textContent (append of
// a string creates a text node), so an attribute value like `<img src=x onerror=…>` stays text.

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = String(value);
    else if (key === "style") {
      for (const [name, v] of Object.entries(value)) {
        if (name.startsWith("--")) node.style.setProperty(name, v);
        else node.style[name] = v;
      }
    }
    else if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

// "%(name)s" placeholders, as Django's gettext strings write them.
export function format(template, values) {
  return template.replace(/%\((\w+)\)s/g, (_, name) => String(values[name] ?? ""));
}

export function debounce(fn, ms) {
  let timer = 0;
  const debounced = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  debounced.cancel = () => clearTimeout(timer);
  return debounced;
}

// Colours come from data (categories, layer styles): only plain colour notations pass.
const COLOUR = /^(#[0-9a-f]{3,8}|(rgb|rgba|hsl|hsla)\([0-9.,%\s/]+\)|[a-z]{3,20})$/i;
export function safeColour(value, fallback = "#64748b") {
  return typeof value === "string" && COLOUR.test(value.trim()) ? value.trim() : fallback;
}
