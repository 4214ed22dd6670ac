//! The page's tables, each with its columns stated once: the header row names them, the script
//! finds the columns it filters by from the header (`data-filter`), and the stylesheet labels
//! each cell with its column's name when a narrow screen makes a row a card and right-aligns the
//! numbers otherwise. A row's cells carry nothing but their content, which keeps a large
//! program's page small.

use std::fmt::Write as _;

use maud::{Markup, html};

/// One column: its name, what the script may filter by in it, whether it holds numbers.
pub(super) struct Column {
    name: &'static str,
    filter: Option<&'static str>,
    number: bool,
}

const fn column(name: &'static str) -> Column {
    Column {
        name,
        filter: None,
        number: false,
    }
}

const fn filtered(name: &'static str, filter: &'static str) -> Column {
    Column {
        name,
        filter: Some(filter),
        number: false,
    }
}

const fn number(name: &'static str) -> Column {
    Column {
        name,
        filter: None,
        number: true,
    }
}

/// A kind of table: the class that styles it, and its columns in order.
pub(super) struct Table {
    class: &'static str,
    columns: &'static [Column],
}

pub(super) const ORDERS: Table = Table {
    class: "orders",
    columns: &[
        filtered("Decision", "decision"),
        filtered("Date", "date"),
        column("Order"),
        filtered("Buyer", "buyer"),
        filtered("Contract", "contract"),
        number("Value"),
    ],
};

pub(super) const DENIED: Table = Table {
    class: "denied-orders",
    columns: &[
        filtered("Date", "date"),
        column("Order"),
        filtered("Buyer", "buyer"),
        filtered("Contract", "contract"),
        number("Value"),
        column("What the rule found"),
    ],
};

pub(super) const REASONS: Table = Table {
    class: "reasons",
    columns: &[column("Reason"), number("Orders denied")],
};

pub(super) const PER_CONTRACT: Table = Table {
    class: "per-contract",
    columns: &[
        column("Contract"),
        number("Permitted orders"),
        number("Value"),
        number("Buyers"),
    ],
};

pub(super) const CONTRACTS: Table = Table {
    class: "contracts",
    columns: &[
        column("Contract"),
        column("Ends"),
        number("Ordered"),
        number("Maximum"),
        number("Use of the maximum"),
        number("Orders permitted"),
        number("Orders denied"),
    ],
};

pub(super) const ORDERED_BY: Table = Table {
    class: "ordered-by",
    columns: &[
        column("Agency"),
        column("Basis"),
        number("In the contract's measure"),
        column("Bought"),
    ],
};

pub(super) const AGENCIES: Table = Table {
    class: "agencies",
    columns: &[
        column("Agency"),
        column("Kind"),
        number("Contracts bound"),
        number("Permitted orders"),
        number("Value"),
        number("Duties under rules"),
    ],
};

pub(super) const BINDINGS: Table = Table {
    class: "bindings",
    columns: &[
        column("Contract"),
        column("Basis and period"),
        column("Ordered"),
        column("Duties and responsibility"),
        column("Terms and prices"),
    ],
};

pub(super) const FRAMEWORK_PARTS: Table = Table {
    class: "framework-parts",
    columns: &[
        column("Part"),
        number("Estimate"),
        number("Maximum"),
        number("Ordered"),
        number("Use of the maximum"),
    ],
};

pub(super) const FRAMEWORK_CONTRACTS: Table = Table {
    class: "framework-contracts",
    columns: &[
        column("Contract"),
        column("Supplier"),
        column("Lot"),
        number("Ordered"),
        number("Orders permitted"),
        number("After a mini-competition"),
    ],
};

const TABLES: &[&Table] = &[
    &ORDERS,
    &DENIED,
    &REASONS,
    &PER_CONTRACT,
    &CONTRACTS,
    &ORDERED_BY,
    &AGENCIES,
    &BINDINGS,
    &FRAMEWORK_PARTS,
    &FRAMEWORK_CONTRACTS,
];

/// Screens this wide or narrower show each row of a table as a card; wider ones, tables.
const CARDS_BELOW: &str = "50rem";
const WIDE_FROM: &str = "50.01rem";

impl Table {
    /// The table's classes: its own, and those that let a reader sort it and read it as cards.
    pub(super) fn class(&self) -> String {
        format!("{} sortable cards", self.class)
    }

    /// The header row.
    pub(super) fn head(&self) -> Markup {
        html! {
            thead {
                tr {
                    @for column in self.columns {
                        th scope="col" data-filter=[column.filter] { (column.name) }
                    }
                }
            }
        }
    }
}

/// What makes a row a card, whatever its table.
const CARDS: &str = "  table.cards, table.cards tbody, table.cards tr, table.cards td, table.cards tbody th { display: block; width: auto; }
  table.cards thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.cards caption { display: block; }
  table.cards tr { border: 1px solid var(--line); border-radius: 0.3rem; margin: 0 0 0.5rem; padding: 0.3rem 0.5rem; }
  table.cards td, table.cards tbody th { border: 0; padding: 0.15rem 0; text-align: left; }
  table.cards td::before, table.cards tbody th::before { display: block; color: var(--muted); font-weight: 400; font-size: 0.8rem; }
";

/// The rules for cards, and those that label each card's cells and align the numbers, for every
/// table.
pub(super) fn style() -> String {
    let mut labels = String::new();
    let mut numbers = String::new();
    for table in TABLES {
        for (index, column) in table.columns.iter().enumerate() {
            let cell = format!(
                "table.{} > tbody > tr > :nth-child({})",
                table.class,
                index + 1
            );
            let _ = writeln!(
                labels,
                "  {cell}::before {{ content: \"{}\"; }}",
                column.name
            );
            if column.number {
                let _ = writeln!(numbers, "  {cell} {{ text-align: right; }}");
            }
        }
    }
    format!(
        "/* Narrow screens: each row of a table becomes a card of labelled fields. */\n\
         @media screen and (max-width: {CARDS_BELOW}) {{\n{CARDS}{labels}}}\n\
         @media print, screen and (min-width: {WIDE_FROM}) {{\n{numbers}}}\n"
    )
}
