using System;
using System.Collections.Generic;
using Json = Newtonsoft.Json;

namespace Example.Billing
{
    /// <summary>
    /// Computes invoices.
    /// </summary>
    public class InvoiceService : IInvoiceService
    {
        public decimal Rate { get; set; }

        public InvoiceService(decimal rate)
        {
            Rate = rate;
        }

        [Obsolete]
        public decimal Total(List<decimal> items)
        {
            return items.Sum() * Rate;
        }
    }

    public interface IInvoiceService
    {
        decimal Total(List<decimal> items);
    }

    public struct Money { public decimal Amount; }

    public enum Currency { Usd, Eur }
}
