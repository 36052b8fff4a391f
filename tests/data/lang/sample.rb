require "json"
require_relative "lib/helper"

module Billing
  # An invoice.
  # Holds line items.
  class Invoice < Base
    attr_reader :items

    def initialize(items)
      @items = items
    end

    # Total amount.
    def total
      items.sum(&:amount)
    end

    def self.build(data)
      new(JSON.parse(data))
    end
  end
end

def top_level_helper(x) = x * 2
