export default function createDriver() {
  return { name: "half-done", acquire: async () => ({}), extend: "soon" };
}
