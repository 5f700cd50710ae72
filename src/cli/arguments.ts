import { InvalidArgumentError } from 'commander';

/** Commander argument parsers shared by the commands. */

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError('a port is a number from 0 to 65535');
  }
  return port;
}
