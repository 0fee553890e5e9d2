/**
 * Azure public-cloud regions, and those that offer the Flex Consumption plan. Both lists change as Microsoft
 * opens regions: they were taken from `az account list-locations` and `az functionapp
 * list-flexconsumption-locations` (learn AF/flex-consumption-how-to). A region missing here that does offer
 * Flex Consumption can be used with `checkFlexConsumptionRegion: false`, and belongs in this file.
 * National clouds (graphBaseUrl other than graph.microsoft.com) are not checked.
 */

export const FLEX_CONSUMPTION_REGIONS: readonly string[] = [
  'australiaeast', 'australiasoutheast', 'brazilsouth', 'canadacentral', 'centralindia', 'centralus', 'centraluseuap',
  'eastasia', 'eastus', 'eastus2', 'eastus2euap', 'francecentral', 'germanywestcentral', 'italynorth', 'japaneast',
  'japanwest', 'koreacentral', 'mexicocentral', 'northcentralus', 'northeurope', 'norwayeast', 'polandcentral',
  'southafricanorth', 'southcentralus', 'southeastasia', 'southindia', 'spaincentral', 'swedencentral',
  'switzerlandnorth', 'uaenorth', 'uksouth', 'ukwest', 'westcentralus', 'westeurope', 'westus', 'westus2', 'westus3',
];

export const AZURE_PUBLIC_REGIONS: readonly string[] = [
  ...FLEX_CONSUMPTION_REGIONS,
  'australiacentral', 'australiacentral2', 'austriaeast', 'belgiumcentral', 'brazilsoutheast', 'canadaeast',
  'chilecentral', 'francesouth', 'germanynorth', 'indonesiacentral', 'israelcentral', 'jioindiacentral',
  'jioindiawest', 'koreasouth', 'malaysiawest', 'newzealandnorth', 'norwaywest', 'qatarcentral', 'southafricawest',
  'swedensouth', 'switzerlandwest', 'uaecentral', 'westindia',
];

/** ARM accepts a display name too ("West Europe"): compare in the programmatic form. */
export function regionKey(location: string): string {
  return location.toLowerCase().replace(/\s+/g, '');
}
