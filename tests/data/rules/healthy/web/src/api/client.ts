export async function getInvoices(): Promise<unknown[]> {
  return [];
}
