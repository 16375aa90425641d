import type { Server } from 'node:http';
export function startServer(options: {
  root: string;
  port?: number;
  host?: string;
  proxy?: string;
}): Promise<{ server: Server; port: number }>;
