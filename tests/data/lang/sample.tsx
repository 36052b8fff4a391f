import React from "react";

interface Props {
  title: string;
}

// Renders the header.
export function Header({ title }: Props) {
  return <h1 className="header">{title}</h1>;
}

export const Footer = () => <footer>bye</footer>;
