// placeholder, replaced below
export async function benchClassification(..._args: unknown[]): Promise<null> {
  return null;
}
