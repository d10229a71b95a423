export default { stop: "docker stop" };
