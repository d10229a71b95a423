export function createDriver() {
  return {};
}
export const version = "1.0.0";
