export default function createDriver( {
