export default function createDriver() {
  throw new Error("needs at least 3 clients");
}
