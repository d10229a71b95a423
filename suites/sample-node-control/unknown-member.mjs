export default { stop: async () => undefined, reboot: async () => undefined };
