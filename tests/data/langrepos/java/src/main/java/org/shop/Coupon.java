package org.shop;

import java.math.BigDecimal;

/** A percentage off the whole cart. */
public record Coupon(String code, BigDecimal percent) {}
