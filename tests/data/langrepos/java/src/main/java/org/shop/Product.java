package org.shop;

import java.math.BigDecimal;

/** Something the shop sells. */
public record Product(String name, BigDecimal price, BigDecimal weight, BigDecimal volume) {}
