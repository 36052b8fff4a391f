import React, { useState } from "react";
import * as path from 'node:path';
const fs = require("fs");
export { helper } from "./helper.js";

/**
 * Parse a configuration file.
 * Returns an object.
 */
export function parseConfig(text) {
  return JSON.parse(text);
}

// Greets a user.
export const greet = (name) => {
  return `hi ${name}`;
};

const double = function (x) { return x * 2; };

class Widget extends Base {
  count = 0;

  // Click handler.
  handleClick = (event) => {
    this.count += 1;
  };

  constructor(props) {
    super(props);
  }

  async render() {
    return useState(this.count);
  }
}

module.exports.build = function build() {};
