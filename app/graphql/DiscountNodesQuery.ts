/**
 * Every discount with its eligibility (read_discounts). In 2026-10 who may use a discount is `context`
 * (DiscountContext: DiscountBuyerSelectionAll | DiscountCustomerSegments | DiscountCustomers | DiscountMarkets);
 * the deprecated `customerSelection` is not read. Every member of the Discount union has the fields below.
 */
export const DiscountNodesQuery = `#graphql
  query DiscountNodesQuery($first: Int!, $after: String) {
    discountNodes(first: $first, after: $after, sortKey: CREATED_AT, reverse: true) {
      nodes {
        id
        discount {
          __typename
          ... on DiscountCodeBasic { title status startsAt endsAt tags context { ...DiscountTargeting } }
          ... on DiscountCodeBxgy { title status startsAt endsAt tags context { ...DiscountTargeting } }
          ... on DiscountCodeFreeShipping { title status startsAt endsAt tags context { ...DiscountTargeting } }
          ... on DiscountCodeApp { title status startsAt endsAt tags context { ...DiscountTargeting } }
          ... on DiscountAutomaticBasic { title status startsAt endsAt tags context { ...DiscountTargeting } }
          ... on DiscountAutomaticBxgy { title status startsAt endsAt tags context { ...DiscountTargeting } }
          ... on DiscountAutomaticFreeShipping { title status startsAt endsAt tags context { ...DiscountTargeting } }
          ... on DiscountAutomaticApp { title status startsAt endsAt tags context { ...DiscountTargeting } }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }

  fragment DiscountTargeting on DiscountContext {
    __typename
    ... on DiscountCustomerSegments {
      segments {
        id
        name
        query
      }
    }
  }
`;
