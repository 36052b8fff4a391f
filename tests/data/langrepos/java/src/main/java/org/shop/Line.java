package org.shop;

import java.math.BigDecimal;

/** One product in a cart, with its quantity. */
public record Line(Product product, int quantity) {
    public BigDecimal weight() { return product.weight().multiply(BigDecimal.valueOf(quantity)); }
    public BigDecimal volume() { return product.volume().multiply(BigDecimal.valueOf(quantity)); }
    public BigDecimal taxTotal() { return BigDecimal.ZERO; }
    public BigDecimal shippingTotal() { return BigDecimal.ZERO; }
    public BigDecimal depositTotal() { return BigDecimal.ZERO; }
    public BigDecimal savings() { return BigDecimal.ZERO; }
}
