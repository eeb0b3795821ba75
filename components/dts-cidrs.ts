/**
 * The DTS server CIDR blocks per region, shipped with the project (components/dts-cidrs.json, a copy
 * of the 2021 DTS documentation table; see its `source` and `staleness` fields). For a migration,
 * the list of the DESTINATION (RDS) region is what DTS documents for both ends. The live list comes
 * from the DTS OpenAPI `WhiteIpList` (dtsCidrSource: "api"), fetched at deploy time by the whitelist
 * resource.
 */
import table from "./dts-cidrs.json";

export const DTS_NETWORKS = ["internet", "vpc"] as const;
export type DtsNetwork = (typeof DTS_NETWORKS)[number];

type RegionLists = Record<DtsNetwork, string[]>;
const regions: Record<string, RegionLists> = table.regions;

/** Regions the shipped table knows, sorted. */
export const DTS_TABLE_REGIONS: readonly string[] = Object.keys(regions).sort();

/** Where the table comes from and how old it is, for messages and docs. */
export const DTS_TABLE_VERSION: string = table.docVersion;

export class UnknownDtsRegionError extends Error {
  constructor(readonly region: string) {
    super(
      `region "${region}" is not in the shipped DTS CIDR table (documented in ${DTS_TABLE_VERSION}); known regions: ` +
        `${DTS_TABLE_REGIONS.join(", ")}. Fetch the live list at deploy time with dtsCidrSource "api", or pass the ` +
        `CIDR blocks explicitly with dtsCidrs (e.g. pulumi config set --path 'polardb-to-rds:dtsCidrs[0]' 100.104.0.0/16)`,
    );
    this.name = "UnknownDtsRegionError";
  }
}

/** The documented DTS CIDR blocks of a region; throws UnknownDtsRegionError for a region not in the table. */
export function dtsCidrsFor(region: string, network: DtsNetwork): string[] {
  const lists = Object.prototype.hasOwnProperty.call(regions, region) ? regions[region] : undefined;
  if (!lists) throw new UnknownDtsRegionError(region);
  return [...lists[network]];
}
