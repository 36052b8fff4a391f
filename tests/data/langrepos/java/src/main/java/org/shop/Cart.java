package org.shop;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/** A shopping cart: lines of products with quantities, and one optional coupon. */
public class Cart {
    private final List<Line> lines = new ArrayList<>();
    private Coupon coupon;

    /** Adds a product to the cart. */
    public void add(Product product, int quantity) {
        lines.add(new Line(product, quantity));
    }

    /** Applies a coupon; a second coupon replaces the first. */
    public void apply(Coupon coupon) {
        this.coupon = coupon;
    }

    /** The price to pay: the lines' subtotal minus the coupon's percentage, never negative. */
    public BigDecimal applyDiscount(BigDecimal subtotal) {
        if (coupon == null) {
            return subtotal;
        }
        BigDecimal off = subtotal.multiply(coupon.percent()).divide(BigDecimal.valueOf(100));
        return subtotal.subtract(off).setScale(2, RoundingMode.HALF_UP);
    }

    /** Returns the total weight of the cart. */
    public BigDecimal weight() {
        BigDecimal sum = BigDecimal.ZERO;
        for (Line line : lines) {
            sum = sum.add(line.weight());
        }
        return sum;
    }

    /** Returns the total volume of the cart. */
    public BigDecimal volume() {
        BigDecimal sum = BigDecimal.ZERO;
        for (Line line : lines) {
            sum = sum.add(line.volume());
        }
        return sum;
    }

    /** Returns the total tax of the cart. */
    public BigDecimal taxTotal() {
        BigDecimal sum = BigDecimal.ZERO;
        for (Line line : lines) {
            sum = sum.add(line.taxTotal());
        }
        return sum;
    }

    /** Returns the total shipping cost of the cart. */
    public BigDecimal shippingTotal() {
        BigDecimal sum = BigDecimal.ZERO;
        for (Line line : lines) {
            sum = sum.add(line.shippingTotal());
        }
        return sum;
    }

    /** Returns the total bottle deposit of the cart. */
    public BigDecimal depositTotal() {
        BigDecimal sum = BigDecimal.ZERO;
        for (Line line : lines) {
            sum = sum.add(line.depositTotal());
        }
        return sum;
    }

    /** Returns the total savings of the cart. */
    public BigDecimal savings() {
        BigDecimal sum = BigDecimal.ZERO;
        for (Line line : lines) {
            sum = sum.add(line.savings());
        }
        return sum;
    }
}
