export default { stop: async () => undefined, pause: async () => undefined, resume: async () => undefined };
