export function InvoiceTable() {
  return null;
}
